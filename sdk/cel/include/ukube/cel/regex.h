#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

// Regular expressions as Kubernetes reads them (RE2, Go's regexp syntax): CEL's matches(),
// find() and findAll(), and OpenAPI schemas' `pattern`. Matching never recurses on the
// stack, so a long string cannot crash the daemon: a match too costly to finish is an error.
namespace ukube::cel {

class Regex {
 public:
  // Never throws: a pattern that is not RE2 has an error() instead.
  explicit Regex(std::string_view pattern);

  // Go's message for a bad pattern ("error parsing regexp: missing closing ): `(`"), or "".
  const std::string& error() const;
  // Whether the pattern matches somewhere in `text`; the reason when matching gave up.
  std::variant<bool, std::string> search(std::string_view text) const;

 private:
  std::shared_ptr<const void> compiled_;
};

}  // namespace ukube::cel
