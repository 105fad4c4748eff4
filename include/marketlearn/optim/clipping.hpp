#pragma once
/// \file
/// Gradient clipping, applied to each (mini-batch) gradient before the update.
///   by norm:  g <- g min(1, c / ||g||_2)     keeps the direction, bounds the step
///   by value: g_j <- clamp(g_j, -c, c)        bounds each coordinate
/// Guards against rare huge gradients (outliers, a bad batch) that would throw the
/// iterate far away; 0 disables either.

#include <cmath>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T>
struct GradientClipping {
    T max_norm = T(0);
    T max_value = T(0);

    void validate() const {
        require(std::isfinite(max_norm) && max_norm >= T(0), "clip_norm=", max_norm,
                " must be a finite number >= 0 (0 disables)");
        require(std::isfinite(max_value) && max_value >= T(0), "clip_value=", max_value,
                " must be a finite number >= 0 (0 disables)");
    }

    template <class V>
    void apply(V& g) const {
        if (max_value > T(0)) g = g.cwiseMax(-max_value).cwiseMin(max_value);
        if (max_norm > T(0)) {
            const T norm = g.norm();
            if (norm > max_norm) g *= max_norm / norm;
        }
    }
};

}  // namespace marketlearn::optim
