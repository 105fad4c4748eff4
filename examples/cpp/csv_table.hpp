#pragma once
// A small CSV reader for the examples: enough for exports from spreadsheets and CRMs
// (a header row, comma-separated fields, RFC 4180 quoting with "" for a quote, quoted
// commas and line breaks, CRLF line ends, a UTF-8 byte-order mark). Example code, not part
// of the marketlearn library: real pipelines load data with their own tools (pandas, Arrow)
// and hand marketlearn a row-major array.

#include <cstddef>
#include <fstream>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

namespace csv_example {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // every row has header.size() fields

    /// Index of a column, or npos when absent.
    std::size_t find_column(const std::string& name) const {
        for (std::size_t j = 0; j < header.size(); ++j) {
            if (header[j] == name) return j;
        }
        return npos;
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

namespace detail {

/// Reads one record (which may span lines inside quotes). Returns false at end of input.
inline bool read_record(std::istream& in, std::vector<std::string>& fields, std::size_t& line) {
    fields.clear();
    std::string field;
    bool in_quotes = false, any = false, field_was_quoted = false;
    char c;
    while (in.get(c)) {
        any = true;
        if (in_quotes) {
            if (c == '"') {
                if (in.peek() == '"') {  // "" inside quotes is a literal quote
                    in.get(c);
                    field += '"';
                } else {
                    in_quotes = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && field.empty() && !field_was_quoted) {
            in_quotes = true;
            field_was_quoted = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
            field_was_quoted = false;
        } else if (c == '\r' && in.peek() == '\n') {
            continue;  // CRLF: the '\n' ends the record
        } else if (c == '\n') {
            ++line;
            fields.push_back(std::move(field));
            return true;
        } else {
            field += c;
        }
    }
    if (in_quotes) {
        throw std::runtime_error("CSV: a quoted field opened before line " + std::to_string(line) +
                                 " is never closed");
    }
    if (!any) return false;
    fields.push_back(std::move(field));  // last record without a trailing newline
    return true;
}

}  // namespace detail

/// Parses a whole CSV stream. Blank lines are skipped; a row whose field count differs
/// from the header's is an error naming its line.
inline CsvTable read_csv(std::istream& in) {
    CsvTable table;
    std::size_t line = 1;
    std::vector<std::string> fields;
    if (!detail::read_record(in, table.header, line)) {
        throw std::runtime_error("CSV: the input is empty (no header row)");
    }
    if (!table.header.empty() && table.header[0].rfind("\xEF\xBB\xBF", 0) == 0) {
        table.header[0].erase(0, 3);  // UTF-8 byte-order mark written by spreadsheet tools
    }
    while (true) {
        const std::size_t record_line = line;
        if (!detail::read_record(in, fields, line)) break;
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        if (fields.size() != table.header.size()) {
            throw std::runtime_error("CSV: line " + std::to_string(record_line) + " has " +
                                     std::to_string(fields.size()) + " fields, the header has " +
                                     std::to_string(table.header.size()));
        }
        table.rows.push_back(fields);
    }
    return table;
}

inline CsvTable read_csv_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open '" + path + "'");
    return read_csv(in);
}

}  // namespace csv_example
