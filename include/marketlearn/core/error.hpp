#pragma once
/// \file
/// The one exception type marketlearn throws for bad input.
///
/// Python maps it to ValueError (see python/src/module.cpp), so one message serves both
/// languages: it must name the parameter and the offending value.

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace marketlearn {

/// Keeps a parameter out of template argument deduction, so `fit<T>(X, ..., nullptr)`
/// and `fit(X, ..., nullptr)` both work (std::type_identity_t is C++20).
template <class T>
struct identity {
    using type = T;
};
template <class T>
using identity_t = typename identity<T>::type;

/// Thrown when an argument (data, labels, a hyperparameter) is invalid.
class invalid_argument : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Throws marketlearn::invalid_argument whose message is `parts` streamed in order.
template <class... Parts>
[[noreturn]] void throw_invalid_argument(Parts&&... parts) {
    std::ostringstream message;
    (message << ... << std::forward<Parts>(parts));
    throw invalid_argument(message.str());
}

/// Throws marketlearn::invalid_argument built from `parts` when `condition` is false.
template <class... Parts>
void require(bool condition, Parts&&... parts) {
    if (!condition) throw_invalid_argument(std::forward<Parts>(parts)...);
}

}  // namespace marketlearn
