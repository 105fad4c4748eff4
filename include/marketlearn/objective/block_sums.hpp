#pragma once
/// \file
/// What one pass over a block of rows returns: sums that compose.
///
/// A driver (threads today, Dask partitions later, a stream for partial_fit) adds the
/// sums of its blocks in a fixed order and only then divides by the total weight and adds
/// the penalty. Means of blocks would not add up; sums do.

namespace marketlearn::objective {

template <class T>
struct BlockSums {
    double loss = 0;    ///< sum_i sw_i loss_i
    double weight = 0;  ///< sum_i sw_i

    BlockSums& operator+=(const BlockSums& other) noexcept {
        loss += other.loss;
        weight += other.weight;
        return *this;
    }
};

}  // namespace marketlearn::objective
