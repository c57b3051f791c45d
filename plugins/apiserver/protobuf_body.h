#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "ukube/types.h"

// Kubernetes' protobuf encoding of request bodies, which client-go's typed clients (and so
// `kubectl create <kind>` from 1.32 on) send instead of JSON. The body is the "k8s\0"
// magic and a runtime.Unknown envelope {typeMeta, raw}; `raw` is the object's message.
//
// We know no Go structs, so the message is decoded against the type's OpenAPI schema,
// whose properties carry their protobuf field numbers:
//   "x-ukube-proto-tag": N        the property's field number (required to decode it)
//   "x-ukube-proto-pointer": true the Go field is a pointer: present means set, even to a
//                                 zero value (replicas: 0); without it, zero values are
//                                 dropped as JSON's omitempty would
// and the well-known wrapper messages are recognised by the schema's shape: date-time
// (Time), quantity (Quantity), x-kubernetes-int-or-string (IntOrString), byte (bytes),
// preserve-unknown-fields objects (RawExtension: JSON in `raw`), maps (entries {1:key,
// 2:value}) and arrays (repeated, packed or not).
namespace ukube::apiserver {

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

// Throws ApiError 415 when the type's schema has no field numbers, 400 when the body is
// malformed or names another kind.
boost::json::object decode_protobuf_object(std::string_view body, const TypeInfo& type);

// Whether `schema` (an object schema) numbers any of its properties.
bool has_proto_tags(const boost::json::object& schema);

}  // namespace ukube::apiserver
