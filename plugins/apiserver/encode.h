#pragma once

#include <string>

#include "http_types.h"
#include "ukube/pipeline.h"
#include "ukube/types.h"

// Responses framed around the store's encoded objects, which are never parsed or
// re-encoded on the way out.
namespace ukube::apiserver {

// {"kind":"<ListKind>","apiVersion":..,"metadata":{..},"items":[<object>,...]}
void encode_list(const TypeInfo& type, const RawList& list, Body& out);

// The metadata of a list response: resourceVersion, continue, remainingItemCount.
std::string list_metadata_json(const RawList& list);

// {"type":"ADDED","object":<object>}\n
void encode_watch_line(const RawWatchEvent& event, Body& out);

// A JSON string literal (quotes included).
std::string json_quote(std::string_view text);

}  // namespace ukube::apiserver
