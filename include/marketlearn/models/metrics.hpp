#pragma once
/// \file
/// Model-quality metrics computed in C++ (for C++ users and examples; Python users get
/// scikit-learn's).

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "marketlearn/core/error.hpp"

namespace marketlearn::models {

/// Area under the ROC curve for 0/1 labels: the probability that a random positive
/// scores above a random negative (Mann-Whitney U / (P N)), ties counted as one half.
template <class T, class S>
double roc_auc(const T* y, const S* score, std::size_t n) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
    double positive_rank_sum = 0, positives = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j < n && score[order[j]] == score[order[i]]) ++j;
        const double mid_rank = 0.5 * static_cast<double>(i + 1 + j);  // average of i+1 .. j
        for (std::size_t k = i; k < j; ++k) {
            if (y[order[k]] > T(0.5)) {
                positive_rank_sum += mid_rank;
                positives += 1;
            }
        }
        i = j;
    }
    const double negatives = static_cast<double>(n) - positives;
    require(positives > 0 && negatives > 0, "roc_auc needs both classes in y (", positives,
            " positives, ", negatives, " negatives)");
    return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

}  // namespace marketlearn::models
