#include "ukube/machinery/int_or_string.h"

#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {

int64_t scaled_value(const boost::json::value* value, int64_t total, bool round_up) {
  if (!value || value->is_null()) return 0;
  if (auto n = as_int(*value)) return *n;
  if (!value->is_string()) throw std::invalid_argument("invalid value for IntOrString: invalid type");
  std::string_view s = value->get_string();
  if (s.empty() || s.back() != '%')
    throw std::invalid_argument("invalid value for IntOrString: invalid value \"" + std::string(s) + "\"");
  int64_t percent = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, percent);
  if (ec != std::errc() || end != s.data() + s.size() - 1)
    throw std::invalid_argument("invalid value \"" + std::string(s) + "\": invalid percentage");
  const int64_t scaled = percent * total;
  if (round_up) return scaled >= 0 ? (scaled + 99) / 100 : -((-scaled) / 100);
  return scaled >= 0 ? scaled / 100 : -((-scaled + 99) / 100);
}

bool is_percent(const boost::json::value* value) {
  return value && value->is_string() && !value->get_string().empty() && value->get_string().back() == '%';
}

}  // namespace ukube::machinery
