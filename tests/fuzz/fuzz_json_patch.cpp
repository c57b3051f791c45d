// JSON patches and merge patches as PATCH requests send them, applied to a document: the
// input is the document, a newline, then the patch. Applying ends with a result or an
// ApiError (400/422), never a crash or another exception.
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "kernel/pipeline/json_patch.h"
#include "ukube/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  if (newline == std::string::npos) return 0;
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(text.substr(0, newline), ec);
  if (ec) return 0;
  boost::json::value patch = boost::json::parse(text.substr(newline + 1), ec);
  if (ec) return 0;
  boost::json::value merged = document;
  ukube::pipeline::apply_merge_patch(merged, patch);
  try {
    ukube::pipeline::apply_json_patch(document, patch);
  } catch (const ukube::ApiError&) {
  }
  return 0;
}
