#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

// The OpenAPI v2 document in the protobuf form kubectl asks for (gnostic's openapi.v2
// messages), so a client that falls back from v3 to v2 can read it.
namespace ukube::apiserver {

// Clients ask for ".v2@v1.0+protobuf" or ".v2.v1.0+protobuf"; the answer is typed with the
// second, as upstream's: Go's MIME parser refuses the '@' of the first.
inline constexpr std::string_view kOpenApiV2ProtobufSubtype = "com.github.proto-openapi.spec.v2";
inline constexpr std::string_view kOpenApiV2ProtobufMediaType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

// The Document message for a swagger 2.0 JSON document. Values of free form (defaults,
// enums, examples, x- extensions) travel as YAML text in Any.yaml, which JSON is.
std::string openapi_v2_protobuf(const boost::json::object& swagger);

}  // namespace ukube::apiserver
