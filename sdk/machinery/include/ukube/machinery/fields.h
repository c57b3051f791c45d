#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/machinery/export.h"

// Field selectors (`?fieldSelector=`, `kubectl --field-selector`) as upstream's
// apimachinery parses them: comma-separated terms `field=value`, `field==value` or
// `field!=value`, with `\,` `\=` and `\\` escaping inside values. Which fields a type
// can select on is the API server's business, not the parser's.
namespace ukube::machinery {

class UKUBE_MACHINERY_API FieldSelectorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct FieldRequirement {
  std::string field;
  bool equals = true;  // = or ==; false for !=
  std::string value;   // unescaped
  bool operator==(const FieldRequirement&) const = default;
};

// Terms sorted as upstream sorts them; empty text selects everything. Throws
// FieldSelectorError with upstream's message.
UKUBE_MACHINERY_API std::vector<FieldRequirement> parse_field_selector(std::string_view text);
// Upstream's String(): terms joined by ',', values escaped.
UKUBE_MACHINERY_API std::string to_string(const std::vector<FieldRequirement>& selector);
UKUBE_MACHINERY_API std::string escape_field_value(std::string_view value);

}  // namespace ukube::machinery
