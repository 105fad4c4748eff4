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

namespace detail {

inline std::uint64_t bits_of(double v) noexcept {
    if (v == 0.0) v = 0.0;  // -0.0 and +0.0 are the same customer
    std::uint64_t out;
    std::memcpy(&out, &v, sizeof out);
    return out;
}

}  // namespace detail

/// Numbers distinct K-tuples of doubles 0, 1, 2, ... in order of first appearance
/// (bitwise equality, -0 == +0). Open addressing with linear probing at load <= 1/2:
/// no allocation per row, ~10x faster than std::unordered_map on a million customers.
template <std::size_t K>
class DistinctRowIndex {
public:
    using Key = std::array<std::uint64_t, K>;

    explicit DistinctRowIndex(std::size_t expected = 0) {
        std::size_t capacity = 16;
        while (capacity < 2 * std::min<std::size_t>(expected, std::size_t{1} << 20)) capacity *= 2;
        slots_.assign(capacity, empty);
    }

    /// The number of `key` and whether it is new.
    std::pair<std::size_t, bool> insert(const Key& key) {
        if (2 * (keys_.size() + 1) > slots_.size()) grow();
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t h = hash(key) & mask;; h = (h + 1) & mask) {
            const std::size_t slot = slots_[h];
            if (slot == empty) {
                slots_[h] = keys_.size();
                keys_.push_back(key);
                return {keys_.size() - 1, true};
            }
            if (keys_[slot] == key) return {slot, false};
        }
    }

    std::size_t size() const noexcept { return keys_.size(); }

private:
    static constexpr std::size_t empty = static_cast<std::size_t>(-1);

    static std::size_t hash(const Key& key) noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ULL;
        for (std::uint64_t v : key) {  // splitmix64 finalizer, chained over the columns
            std::uint64_t z = v ^ (h + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            h = z ^ (z >> 31);
        }
        return static_cast<std::size_t>(h);
    }

    void grow() {
        std::vector<std::size_t> bigger(slots_.size() * 2, empty);
        const std::size_t mask = bigger.size() - 1;
        for (std::size_t id = 0; id < keys_.size(); ++id) {
            std::size_t h = hash(keys_[id]) & mask;
            while (bigger[h] != empty) h = (h + 1) & mask;
            bigger[h] = id;
        }
        slots_.swap(bigger);
    }

    std::vector<std::size_t> slots_;
    std::vector<Key> keys_;
};

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
