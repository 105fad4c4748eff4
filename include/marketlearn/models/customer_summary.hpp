#pragma once
/// \file
/// Per-customer summaries for the customer-lifetime models: value checks and the
/// aggregation of identical rows into weights.
///
/// A summary row is (frequency x, recency t_x, age T) for the purchase models and
/// (frequency x, mean repeat spend m) for the spend model. Real customer bases repeat
/// the same rows many times (time is counted in whole days or weeks), so fits first
/// collapse identical rows into one row with the summed weight: the likelihood is a
/// weighted sum either way, and a million customers often become a few thousand rows.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "marketlearn/core/distinct_rows.hpp"
#include "marketlearn/core/error.hpp"

namespace marketlearn::models {

/// Checks one (frequency, recency, T) summary per customer; throws
/// marketlearn::invalid_argument naming the first offending row and value.
///
/// frequency: whole number of repeat purchases >= 0; recency in [0, T]; recency 0 exactly
/// when frequency is 0 (a repeat purchase happens after the first one); T finite >= 0;
/// weight (optional) finite >= 0 with a positive total.
inline void validate_rfm_summary(const double* frequency, const double* recency, const double* age,
                                 const double* weight, std::size_t n) {
    require(n > 0, "the customer summary has 0 rows; at least one customer is required");
    for (std::size_t i = 0; i < n; ++i) {
        const double x = frequency[i], tx = recency[i], T = age[i];
        require(std::isfinite(x), "frequency[", i, "]=", x, " must be finite");
        require(std::isfinite(tx), "recency[", i, "]=", tx, " must be finite");
        require(std::isfinite(T), "T[", i, "]=", T, " must be finite");
        require(x >= 0, "frequency[", i, "]=", x, " must be >= 0 (a count of repeat purchases)");
        require(x == std::floor(x), "frequency[", i, "]=", x,
                " must be a whole number (a count of repeat purchases)");
        require(tx >= 0, "recency[", i, "]=", tx, " must be >= 0");
        require(T >= 0, "T[", i, "]=", T, " must be >= 0");
        require(tx <= T, "recency[", i, "]=", tx, " is greater than T[", i, "]=", T,
                "; the last purchase must lie between the first one and the end of the period");
        require(!(x > 0 && tx == 0), "frequency[", i, "]=", x, " > 0 with recency[", i,
                "]=0; a customer with repeat purchases has recency > 0 (time from the first "
                "to the last purchase)");
        require(!(x == 0 && tx != 0), "recency[", i, "]=", tx, " with frequency[", i,
                "]=0; a customer without repeat purchases has recency 0");
    }
    if (weight != nullptr) {
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            require(std::isfinite(weight[i]) && weight[i] >= 0, "weights[", i, "]=", weight[i],
                    " must be finite and >= 0");
            total += weight[i];
        }
        require(total > 0, "weights sum to 0; at least one customer needs a positive weight");
    }
}

/// Checks one (frequency, mean repeat spend) summary per returning customer for the
/// Gamma-Gamma spend model: frequency a whole number > 0, monetary value finite > 0.
inline void validate_spend_summary(const double* frequency, const double* monetary_value,
                                   const double* weight, std::size_t n) {
    require(n > 0, "the spend summary has 0 rows; at least one returning customer is required");
    for (std::size_t i = 0; i < n; ++i) {
        const double x = frequency[i], m = monetary_value[i];
        require(std::isfinite(x), "frequency[", i, "]=", x, " must be finite");
        require(x > 0 && x == std::floor(x), "frequency[", i, "]=", x,
                " must be a whole number > 0; the spend model is fitted on returning customers "
                "only (select frequency > 0)");
        require(std::isfinite(m) && m > 0, "monetary_value[", i, "]=", m,
                " must be finite and > 0 (the mean value of the repeat purchases)");
    }
    if (weight != nullptr) {
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            require(std::isfinite(weight[i]) && weight[i] >= 0, "weights[", i, "]=", weight[i],
                    " must be finite and >= 0");
            total += weight[i];
        }
        require(total > 0, "weights sum to 0; at least one customer needs a positive weight");
    }
}

/// Distinct rows of K columns with the summed weight of their copies.
template <std::size_t K>
struct AggregatedRows {
    std::array<std::vector<double>, K> columns;
    std::vector<double> weight;

    std::size_t size() const noexcept { return weight.size(); }
};

using marketlearn::DistinctRowIndex;

namespace detail {
using marketlearn::detail::bits_of;
}  // namespace detail

/// Collapses identical rows (bitwise equal values) of `columns` into one row each,
/// summing their weights (1 per row when `weight` is null). Rows of zero weight are
/// dropped. Distinct rows keep the order of their first appearance, so the result does
/// not depend on hashing. O(n) expected time.
template <std::size_t K>
AggregatedRows<K> aggregate_identical_rows(const std::array<const double*, K>& columns,
                                           const double* weight, std::size_t n) {
    AggregatedRows<K> out;
    DistinctRowIndex<K> index(n / 4);
    typename DistinctRowIndex<K>::Key key;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = weight != nullptr ? weight[i] : 1.0;
        if (!(w > 0)) continue;
        for (std::size_t k = 0; k < K; ++k) key[k] = detail::bits_of(columns[k][i]);
        const auto [id, inserted] = index.insert(key);
        if (inserted) {
            for (std::size_t k = 0; k < K; ++k) out.columns[k].push_back(columns[k][i]);
            out.weight.push_back(w);
        } else {
            out.weight[id] += w;
        }
    }
    return out;
}

}  // namespace marketlearn::models
