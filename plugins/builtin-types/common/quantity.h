#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

// resource.Quantity values ("500m", "1Gi", "2", 0.5) as plain numbers, for the few
// comparisons builtin validation and QoS need. Precision beyond a long double is moot there.
namespace ukube::builtin {

std::optional<long double> parse_quantity(std::string_view text);
// A JSON quantity: a string in quantity syntax or a plain number.
std::optional<long double> quantity_value(const boost::json::value& v);
// The quantity as written ("1Gi", "0.5"), for messages.
std::string quantity_text(const boost::json::value& v);

inline constexpr std::string_view kQuantityPattern =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

}  // namespace ukube::builtin
