#pragma once

#include <boost/json/object.hpp>

#include "ukube/store.h"
#include "ukube/types.h"

// A resource served in several versions keeps one stored copy of each object, in its
// storage version (TypeInfo::storage_version); every request through another version sees
// it converted. Single-version resources pass through untouched and unparsed.
namespace ukube::pipeline {

// The stored bytes as the version `type` serves; the same bytes when nothing converts.
store::Bytes present(const TypeInfo& type, store::Bytes stored);
// The stored object, parsed, as the version `type` serves.
boost::json::object read_as(const TypeInfo& type, const store::Bytes& stored);
// Rewrites an object of the version `type` serves as the storage version.
void to_storage(const TypeInfo& type, boost::json::object& object);

}  // namespace ukube::pipeline
