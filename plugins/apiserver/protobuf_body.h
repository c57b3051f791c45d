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
//   "x-ukube-proto-embedded": M   the property belongs to an inline Go struct that the
//                                 message holds as field M (a Volume's sources), so it is
//                                 field N of that sub-message
//   "x-ukube-proto-pointer": true the Go field is a pointer: present means set, even to a
//                                 zero value (replicas: 0)
//   "x-ukube-proto-keep-zero": true  the Go field has no omitempty, so JSON would carry its
//                                 zero value too (PriorityClass value: 0), or null for an
//                                 unset list or map (ClusterRole rules)
// Other scalars drop zero values, as JSON's omitempty would; sub-messages (and IntOrString)
// are kept even when empty, as encoding/json never omits a struct, and a zero Time that is
// not a pointer becomes null. The well-known wrapper messages are recognised by the
// schema's shape: date-time (Time; MicroTime when "x-ukube-micro-time"), quantity
// (Quantity), x-kubernetes-int-or-string (IntOrString), byte (bytes), preserve-unknown-fields
// objects (RawExtension and FieldsV1: JSON in field 1), maps (entries {1:key, 2:value}) and
// arrays (repeated, packed or not). Fields the schema does not number are skipped, as
// upstream skips fields it does not know.
namespace ukube::apiserver {

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

// Throws ApiError 415 when the type's schema has no field numbers, 400 when the body is
// malformed or names another kind.
boost::json::object decode_protobuf_object(std::string_view body, const TypeInfo& type);

// Whether `schema` (an object schema) numbers any of its properties.
bool has_proto_tags(const boost::json::object& schema);

}  // namespace ukube::apiserver
