#pragma once
/// \file
/// A small, strict JSON reader (RFC 8259) for marketlearn's model files.
///
/// Strict: no comments, trailing commas, NaN/Infinity, leading zeros, byte-order mark,
/// duplicate object keys, invalid UTF-8 or lone surrogates; nothing may follow the value.
/// Bounded: input size, nesting depth, number of values and string length are limited
/// (json::Limits), so a hostile file cannot exhaust the stack or memory. Every error is a
/// marketlearn::invalid_argument naming the line, column and byte offset.
///
/// Numbers keep their source text next to their double value (parsed with
/// std::from_chars: correctly rounded and locale-independent), so integers can be read
/// exactly and labels can be shown as they were written.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "marketlearn/core/error.hpp"

namespace marketlearn::io::json {

/// Bounds on what parse() accepts.
struct Limits {
    std::size_t max_bytes = std::size_t(64) << 20;      ///< input size
    std::size_t max_depth = 64;                          ///< nesting of arrays / objects
    std::size_t max_values = std::size_t(1) << 22;       ///< values in the whole document
    std::size_t max_string_bytes = std::size_t(1) << 20; ///< one string, after unescaping
};

enum class Kind { null, boolean, number, string, array, object };

inline const char* kind_name(Kind kind) noexcept {
    switch (kind) {
        case Kind::null: return "null";
        case Kind::boolean: return "a boolean";
        case Kind::number: return "a number";
        case Kind::string: return "a string";
        case Kind::array: return "an array";
        case Kind::object: return "an object";
    }
    return "?";
}

/// One JSON value. Arrays and objects own their children; an object keeps its members
/// in file order (keys are unique).
class Value {
public:
    Kind kind() const noexcept { return kind_; }
    bool is(Kind kind) const noexcept { return kind_ == kind; }
    /// Byte offset of the value's first character in the parsed text.
    std::size_t offset() const noexcept { return offset_; }

    bool boolean() const noexcept { return boolean_; }
    double number() const noexcept { return number_; }
    /// A number written without fraction or exponent (e.g. `3`, `-12`).
    bool is_integer() const noexcept { return kind_ == Kind::number && integer_; }
    /// The string's content, or a number's source text.
    const std::string& text() const noexcept { return text_; }

    /// Elements of an array, or member values of an object (empty for scalars).
    const std::vector<Value>& items() const noexcept { return children_ ? children_->items : empty_items(); }
    /// Member keys of an object, parallel to items() (empty otherwise).
    const std::vector<std::string>& keys() const noexcept { return children_ ? children_->keys : empty_keys(); }
    std::size_t size() const noexcept { return items().size(); }

    /// The member `key` of an object, or nullptr when absent (or not an object).
    const Value* find(std::string_view key) const noexcept {
        if (kind_ != Kind::object) return nullptr;
        const auto& k = keys();
        for (std::size_t i = 0; i < k.size(); ++i) {
            if (k[i] == key) return &items()[i];
        }
        return nullptr;
    }

private:
    friend class Parser;
    struct Children {
        std::vector<Value> items;
        std::vector<std::string> keys;
    };
    static const std::vector<Value>& empty_items() noexcept {
        static const std::vector<Value> none;
        return none;
    }
    static const std::vector<std::string>& empty_keys() noexcept {
        static const std::vector<std::string> none;
        return none;
    }

    Kind kind_ = Kind::null;
    bool boolean_ = false;
    bool integer_ = false;
    double number_ = 0;
    std::size_t offset_ = 0;
    std::string text_;
    std::shared_ptr<Children> children_;  // shared: Value stays cheap to copy
};

/// "line L, column C (byte B)" of a byte offset in text; columns count bytes, from 1.
inline std::string describe_position(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
           std::to_string(offset) + ")";
}

/// Recursive-descent parser; use json::parse().
class Parser {
public:
    Parser(std::string_view text, const Limits& limits) : text_(text), limits_(limits) {}

    Value parse_document() {
        if (text_.size() > limits_.max_bytes) {
            throw_invalid_argument("JSON: the input has ", text_.size(),
                                   " bytes, more than the limit of ", limits_.max_bytes);
        }
        if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
            static_cast<unsigned char>(text_[1]) == 0xBB && static_cast<unsigned char>(text_[2]) == 0xBF) {
            fail(0, "a UTF-8 byte-order mark is not allowed");
        }
        skip_space();
        Value root = parse_value(0);
        skip_space();
        if (pos_ != text_.size()) fail(pos_, "unexpected data after the JSON value");
        return root;
    }

private:
    [[noreturn]] void fail(std::size_t at, std::string_view what) const {
        throw_invalid_argument("JSON syntax error at ", describe_position(text_, at), ": ", what);
    }

    bool at_end() const noexcept { return pos_ >= text_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }

    void skip_space() noexcept {
        while (!at_end()) {
            const char c = text_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }

    void count_value(std::size_t at) {
        if (++values_ > limits_.max_values) {
            throw_invalid_argument("JSON: more than ", limits_.max_values, " values (at ",
                                   describe_position(text_, at), ")");
        }
    }

    void expect_literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) fail(pos_, "invalid literal (expected a JSON value)");
        pos_ += word.size();
    }

    Value parse_value(std::size_t depth) {
        if (at_end()) fail(pos_, "unexpected end of input (expected a JSON value)");
        count_value(pos_);
        Value v;
        v.offset_ = pos_;
        switch (peek()) {
            case '{': parse_object(v, depth + 1); break;
            case '[': parse_array(v, depth + 1); break;
            case '"':
                v.kind_ = Kind::string;
                v.text_ = parse_string();
                break;
            case 't':
                expect_literal("true");
                v.kind_ = Kind::boolean;
                v.boolean_ = true;
                break;
            case 'f':
                expect_literal("false");
                v.kind_ = Kind::boolean;
                break;
            case 'n': expect_literal("null"); break;
            default:
                if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                    parse_number(v);
                } else {
                    fail(pos_, "unexpected character (expected a JSON value)");
                }
        }
        return v;
    }

    void enter(std::size_t depth) const {
        if (depth > limits_.max_depth) {
            throw_invalid_argument("JSON: nesting deeper than ", limits_.max_depth, " levels at ",
                                   describe_position(text_, pos_));
        }
    }

    void parse_array(Value& v, std::size_t depth) {
        enter(depth);
        v.kind_ = Kind::array;
        v.children_ = std::make_shared<Value::Children>();
        ++pos_;  // [
        skip_space();
        if (peek() == ']') {
            ++pos_;
            return;
        }
        for (;;) {
            skip_space();
            v.children_->items.push_back(parse_value(depth));
            skip_space();
            if (peek() == ',') {
                ++pos_;
                skip_space();
                if (peek() == ']') fail(pos_, "trailing comma in an array");
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return;
            }
            fail(pos_, at_end() ? "unexpected end of input in an array" : "expected ',' or ']' in an array");
        }
    }

    void parse_object(Value& v, std::size_t depth) {
        enter(depth);
        v.kind_ = Kind::object;
        v.children_ = std::make_shared<Value::Children>();
        ++pos_;  // {
        skip_space();
        if (peek() == '}') {
            ++pos_;
            return;
        }
        std::unordered_set<std::string> seen;  // duplicate keys in O(1), even for huge objects
        for (;;) {
            skip_space();
            if (peek() != '"') {
                fail(pos_, at_end() ? "unexpected end of input in an object"
                                    : "expected a string key in an object");
            }
            const std::size_t key_at = pos_;
            std::string key = parse_string();
            if (!seen.insert(key).second) {
                fail(key_at, "duplicate key \"" + printable(key) + "\" in an object");
            }
            skip_space();
            if (peek() != ':') fail(pos_, "expected ':' after an object key");
            ++pos_;
            skip_space();
            v.children_->keys.push_back(std::move(key));
            v.children_->items.push_back(parse_value(depth));
            skip_space();
            if (peek() == ',') {
                ++pos_;
                skip_space();
                if (peek() == '}') fail(pos_, "trailing comma in an object");
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return;
            }
            fail(pos_, at_end() ? "unexpected end of input in an object" : "expected ',' or '}' in an object");
        }
    }

    /// A key for an error message: at most 40 bytes, control bytes escaped.
    static std::string printable(const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x20 || c == 0x7F) {
                out += '?';
            } else {
                out += static_cast<char>(c);
            }
        }
        if (s.size() > 40) out += "...";
        return out;
    }

    unsigned hex4(std::size_t at) const {
        if (text_.size() - at < 4) fail(at, "truncated \\u escape");
        unsigned value = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const char c = text_[at + i];
            value <<= 4;
            if (c >= '0' && c <= '9') {
                value |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                value |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail(at + i, "invalid hex digit in a \\u escape");
            }
        }
        return value;
    }

    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    /// Length of the valid UTF-8 sequence starting at pos_ (lead byte >= 0x80), or fails.
    std::size_t utf8_sequence() const {
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
        const unsigned char lead = byte(0);
        std::size_t n;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
            if (lead == 0xE0) lo = 0xA0;  // overlong
            if (lead == 0xED) hi = 0x9F;  // surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
            if (lead == 0xF0) lo = 0x90;  // overlong
            if (lead == 0xF4) hi = 0x8F;  // > U+10FFFF
        } else {
            fail(pos_, "invalid UTF-8 in a string");
        }
        if (text_.size() - pos_ < n) fail(pos_, "truncated UTF-8 sequence in a string");
        if (byte(1) < lo || byte(1) > hi) fail(pos_, "invalid UTF-8 in a string");
        for (std::size_t i = 2; i < n; ++i) {
            if (byte(i) < 0x80 || byte(i) > 0xBF) fail(pos_, "invalid UTF-8 in a string");
        }
        return n;
    }

    std::string parse_string() {
        const std::size_t start = pos_;
        ++pos_;  // opening quote
        std::string out;
        for (;;) {
            if (at_end()) fail(start, "unterminated string");
            if (out.size() > limits_.max_string_bytes) {
                throw_invalid_argument("JSON: a string longer than ", limits_.max_string_bytes,
                                       " bytes at ", describe_position(text_, start));
            }
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (c < 0x20) fail(pos_, "unescaped control character in a string");
            if (c >= 0x80) {
                const std::size_t n = utf8_sequence();
                out.append(text_.data() + pos_, n);
                pos_ += n;
                continue;
            }
            if (c != '\\') {
                out += static_cast<char>(c);
                ++pos_;
                continue;
            }
            const std::size_t escape_at = pos_;
            ++pos_;
            if (at_end()) fail(escape_at, "unterminated escape in a string");
            switch (text_[pos_]) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = hex4(pos_ + 1);
                    pos_ += 4;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) fail(escape_at, "lone low surrogate in a \\u escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (text_.substr(pos_ + 1, 2) != "\\u") {
                            fail(escape_at, "high surrogate not followed by a low surrogate");
                        }
                        const std::uint32_t low = hex4(pos_ + 3);
                        if (low < 0xDC00 || low > 0xDFFF) {
                            fail(escape_at, "high surrogate not followed by a low surrogate");
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        pos_ += 6;
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: fail(escape_at, "invalid escape in a string");
            }
            ++pos_;
        }
    }

    void parse_number(Value& v) {
        const std::size_t start = pos_;
        const auto digit = [&] { return !at_end() && peek() >= '0' && peek() <= '9'; };
        bool integer = true;
        if (peek() == '-') ++pos_;
        if (!digit()) fail(start, "invalid number (expected a digit)");
        if (peek() == '0') {
            ++pos_;
            if (digit()) fail(start, "invalid number (leading zero)");
        } else {
            while (digit()) ++pos_;
        }
        if (peek() == '.') {
            integer = false;
            ++pos_;
            if (!digit()) fail(start, "invalid number (expected a digit after '.')");
            while (digit()) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!digit()) fail(start, "invalid number (expected a digit in the exponent)");
            while (digit()) ++pos_;
        }
        v.kind_ = Kind::number;
        v.integer_ = integer;
        v.text_.assign(text_.data() + start, pos_ - start);
        double value = 0;
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        const auto [end, ec] = std::from_chars(first, last, value);
        // from_chars reports ERANGE for overflow and for underflow; only overflow is an
        // error (a tiny number becomes 0 or a subnormal, as in every JSON reader).
        if (ec == std::errc::result_out_of_range) {
            if (is_overflow(first, last)) fail(start, "number out of range for a double");
            value = tiny_value(first, last);
        } else if (ec != std::errc() || end != last) {
            fail(start, "invalid number");
        }
        v.number_ = value;
    }

    /// from_chars reports out-of-range for overflow and for results that round to zero;
    /// the decimal order of magnitude of the number tells which (it is far from 0 in both
    /// cases: >= 308 or <= -324). The number's syntax has been checked already.
    static bool is_overflow(const char* first, const char* last) {
        const char* p = first;
        if (*p == '-') ++p;
        long long magnitude = 0;  // order of magnitude of the first nonzero digit
        bool found = false, in_fraction = false;
        long long integer_digits = 0, fraction_zeros = 0;
        for (; p != last && *p != 'e' && *p != 'E'; ++p) {
            if (*p == '.') {
                in_fraction = true;
                continue;
            }
            if (!found && *p != '0') {
                found = true;
                if (in_fraction) magnitude = -(fraction_zeros + 1);
            }
            if (!in_fraction) {
                if (found) ++integer_digits;
            } else if (!found) {
                ++fraction_zeros;
            }
        }
        if (!found) return false;  // zero never overflows
        if (integer_digits > 0) magnitude = integer_digits - 1;
        long long exponent = 0;
        if (p != last) {  // exponent, saturated far beyond any double's range
            ++p;
            const bool negative = *p == '-';
            if (*p == '+' || *p == '-') ++p;
            for (; p != last; ++p) {
                if (exponent < 100000) exponent = exponent * 10 + (*p - '0');
            }
            if (negative) exponent = -exponent;
        }
        return magnitude + exponent > 0;
    }

    /// A number whose magnitude rounds to zero: a zero of its sign.
    static double tiny_value(const char* first, const char*) { return *first == '-' ? -0.0 : 0.0; }

    std::string_view text_;
    Limits limits_;
    std::size_t pos_ = 0;
    std::size_t values_ = 0;
};

/// Parses one JSON document; throws marketlearn::invalid_argument with the position on
/// malformed input or when a limit is exceeded.
inline Value parse(std::string_view text, const Limits& limits = {}) {
    return Parser(text, limits).parse_document();
}

}  // namespace marketlearn::io::json
