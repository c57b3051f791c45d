#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// The opaque `continue` of a paged list: where the page ended and at which revision the
// whole list is read, base64 JSON like upstream's so clients may log it readably.
namespace ukube::pipeline {

struct ContinueToken {
  int64_t revision = 0;
  std::string start_after;  // full store key of the last item returned

  std::string encode() const;
  // Throws ApiError 400 when the token is malformed or belongs to another list.
  static ContinueToken decode(std::string_view token, std::string_view prefix);
};

}  // namespace ukube::pipeline
