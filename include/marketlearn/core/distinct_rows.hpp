#pragma once
/// \file
/// Numbering distinct tuples of doubles: the index behind collapsing identical customer
/// rows (models::aggregate_identical_rows), predicting once per distinct row, and
/// evaluating per-time terms once per distinct time (objective::BetaGeoObjective).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace marketlearn {

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

}  // namespace marketlearn
