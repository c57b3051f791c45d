// `continue` tokens as clients send them back: decoding ends with a token or an ApiError
// (400), and a decoded token encodes to one that decodes the same.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kernel/pipeline/continue_token.h"
#include "ukube/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string prefix = "/registry/configmaps/default/";
  try {
    auto token = ukube::pipeline::ContinueToken::decode(text, prefix);
    auto again = ukube::pipeline::ContinueToken::decode(token.encode(), prefix);
    if (again.revision != token.revision || again.start_after != token.start_after) std::abort();
  } catch (const ukube::ApiError&) {
  }
  return 0;
}
