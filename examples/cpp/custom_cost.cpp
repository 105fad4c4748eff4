// Optimizing a cost function of your own with marketlearn's optimizers.
//
// The cost here is not one of marketlearn's: a budget-allocation toy. Spend x_c on each
// of 4 channels; channel c returns a_c log(1 + x_c / s_c) (diminishing returns); spend
// costs x_c; a soft penalty keeps spend non-negative. We minimize
//
//   f(x) = sum_c [ x_c - a_c log(1 + softplus(x_c) / s_c) ]
//
// whose optimum has the closed form softplus(x_c) = a_c - s_c for a_c > s_c (the marginal
// return a_c / (s_c + x) equals the marginal cost 1). Any class with `evaluate` and
// `evaluate_with_gradient` works with the full-batch optimizers (GradientDescent, LBFGS);
// adding `num_functions`, a mini-batch `evaluate_with_gradient` and `shuffle` makes it
// work with SGD and every update policy (Adam, ...). A missing method is a compile-time
// error that says which one.

#include <cmath>
#include <cstdio>
#include <random>

#include <marketlearn/marketlearn.hpp>

using Vector = Eigen::VectorXd;

class ChannelBudget {
public:
    // Four channels: (a_c, s_c) = return scale and saturation spend.
    static constexpr int channels = 4;
    const double a[channels] = {12.0, 8.0, 5.0, 3.0};
    const double s[channels] = {2.0, 1.0, 1.0, 4.0};

    double evaluate(const Vector& x) const {
        double f = 0;
        for (int c = 0; c < channels; ++c) f += term(c, x[c], nullptr);
        return f;
    }
    double evaluate_with_gradient(const Vector& x, Vector& grad) const {
        grad.resize(channels);
        double f = 0;
        for (int c = 0; c < channels; ++c) f += term(c, x[c], &grad[c]);
        return f;
    }
    // Separable: one "function" per channel, so stochastic methods can sample channels.
    std::size_t num_functions() const { return channels; }
    double evaluate_with_gradient(const Vector& x, std::size_t begin, std::size_t count,
                                  Vector& grad) const {
        grad.setZero(channels);
        double f = 0;
        for (std::size_t k = begin; k < begin + count; ++k) {
            const int c = static_cast<int>(order_[k]);
            f += term(c, x[c], &grad[c]);
        }
        // Unbiased estimate of the full sum from `count` of the `channels` terms.
        const double scale = static_cast<double>(channels) / static_cast<double>(count);
        grad *= scale;
        return f * scale;
    }
    void shuffle(std::mt19937_64& rng) { std::shuffle(order_, order_ + channels, rng); }

private:
    double term(int c, double x, double* grad) const {
        const double spend = std::log1p(std::exp(-std::abs(x))) + std::max(x, 0.0);  // softplus
        const double dspend = 1.0 / (1.0 + std::exp(-x));
        const double value = spend - a[c] * std::log1p(spend / s[c]);
        if (grad) *grad = dspend * (1.0 - a[c] / (s[c] + spend));
        return value;
    }
    std::size_t order_[channels] = {0, 1, 2, 3};
};

template <class Optimizer>
void run(const char* name, const Optimizer& optimizer, ChannelBudget& budget) {
    Vector x = Vector::Zero(ChannelBudget::channels);
    const auto result = optimizer.optimize(budget, x);
    std::printf("%-22s f = %.6f after %3zu iterations (%s); spend:", name, result.objective,
                result.iterations, marketlearn::optim::describe(result.reason));
    for (int c = 0; c < ChannelBudget::channels; ++c) {
        std::printf(" %.3f", std::log1p(std::exp(-std::abs(x[c]))) + std::max(x[c], 0.0));
    }
    std::printf("\n");
}

int main() {
    using namespace marketlearn::optim;
    ChannelBudget budget;
    std::printf("closed form spend:      ");
    for (int c = 0; c < ChannelBudget::channels; ++c) {
        std::printf(" %.3f", budget.a[c] > budget.s[c] ? budget.a[c] - budget.s[c] : 0.0);
    }
    std::printf("  (channel 4 saturates early: spend ~ 0)\n");

    LBFGS<double>::Options lbfgs;
    lbfgs.gradient_tol = 1e-10;
    run("L-BFGS", LBFGS<double>(lbfgs), budget);

    GradientDescent<double>::Options gd;
    gd.max_iter = 20000;
    gd.tol = 1e-12;
    run("gradient descent", GradientDescent<double>(gd, ConstantSchedule<double>{0.5}), budget);

    Adam<double>::Options adam;
    adam.batch_size = 2;  // two channels per update
    adam.max_iter = 5000;
    adam.tol = 1e-10;
    run("Adam (mini-batches)", Adam<double>(adam, ConstantSchedule<double>{0.05}), budget);
    return 0;
}
