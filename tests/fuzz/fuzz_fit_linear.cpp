// libFuzzer target: fit_linear's input validation on tiny matrices (1-8 rows, 1-4
// columns) with arbitrary values (NaN, infinities, huge and tiny numbers, bad labels and
// weights) and arbitrary options (every loss, optimizer and schedule; invalid sizes and
// rates). Bad input must be a marketlearn::invalid_argument; anything else — another
// exception, a sanitizer report, a timeout — is a finding, as is a fit that returns
// non-finite coefficients.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear.hpp"

namespace {

class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    /// Mostly ordinary values, sometimes the edge cases, sometimes raw bits.
    double number() {
        static const double palette[] = {0.0,  1.0,   -1.0,  0.5,    2.0,   -3.0,  1e-3,
                                         1e3,  1e300, -1e300, 1e-310, 0.1,   -0.0,
                                         std::numeric_limits<double>::quiet_NaN(),
                                         std::numeric_limits<double>::infinity(),
                                         -std::numeric_limits<double>::infinity()};
        const std::uint8_t b = byte();
        if (b < 240) return palette[b % 13];  // finite values mostly
        if (b < 252) return palette[13 + b % 3];
        double raw = 0;
        std::uint8_t bits[sizeof raw];
        for (auto& x : bits) x = byte();
        std::memcpy(&raw, bits, sizeof raw);
        return raw;
    }
    double label() {
        const std::uint8_t b = byte();
        if (b < 250) return (b & 1) ? 1.0 : -1.0;
        return number();
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace models = marketlearn::models;
    Bytes in(data, size);
    models::LinearFitOptions<double> o;
    o.loss = static_cast<marketlearn::simd::loss_kind>(in.byte() % marketlearn::simd::n_loss_kinds);
    o.optimizer = static_cast<models::Optimizer>(in.byte() % 9);
    o.schedule.kind = static_cast<marketlearn::optim::ScheduleKind>(in.byte() % 7);
    const std::uint8_t flags = in.byte();
    o.fit_intercept = flags & 1;
    o.early_stopping = flags & 2;
    o.shuffle = flags & 4;
    const bool weighted = flags & 8;
    const bool odd_options = flags & 16;
    o.batch_size = in.byte() % 4;          // 0 is invalid
    o.max_iter = in.byte() % 4;            // 0 is invalid; small keeps runs fast
    o.n_iter_no_change = 1 + in.byte() % 3;
    o.random_state = in.byte();
    if (odd_options) {
        o.alpha = in.number();
        o.l1_ratio = in.number();
        o.tol = in.number();
        o.validation_fraction = in.number();
        o.schedule.eta0 = in.number();
        o.schedule.power_t = in.number();
        o.loss_params.epsilon = in.number();
        o.loss_params.power = in.number();
        o.clip_norm = in.number();
        o.momentum = in.number();
    }
    const std::size_t n_rows = 1 + in.byte() % 8, n_cols = 1 + in.byte() % 4;
    std::vector<double> X(n_rows * n_cols), y(n_rows), w(n_rows);
    for (double& x : X) x = in.number();
    const bool classification = models::is_classification_loss(o.loss);
    for (double& v : y) v = classification ? in.label() : std::abs(in.number());
    for (double& v : w) v = std::abs(in.number());
    try {
        const auto fit = models::fit_linear<double>(X.data(), n_rows, n_cols, y.data(),
                                                    weighted ? w.data() : nullptr, o);
        for (double c : fit.model.coef) {
            if (!std::isfinite(c)) __builtin_trap();
        }
        if (!std::isfinite(fit.model.intercept)) __builtin_trap();
    } catch (const marketlearn::invalid_argument&) {
    }
    return 0;
}
