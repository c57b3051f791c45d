#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/types.h"

// Small rules the pipeline's verbs share (request_pipeline.cpp and pipeline_*.cpp).
namespace ukube::pipeline {

// A resourceVersion a client sent; 400 when it is not one this server issued.
int64_t parse_revision(std::string_view text, const char* what);

// A request body as JSON; 400 naming `what` when it does not parse.
boost::json::value parse_body(std::string_view body, const char* what);

// Sets kind and apiVersion; 400 when the client sent others.
void set_type_meta(boost::json::object& object, const TypeInfo& type);

bool has_finalizers(const boost::json::object& object);
int64_t generation_of(const boost::json::object& object);
bool is_terminating(const boost::json::object& object);  // deletionTimestamp set

// Gives `to` the member `key` as `from` has it, or none when `from` has none (or null).
void keep_member(const boost::json::object& from, boost::json::object& to, std::string_view key);

}  // namespace ukube::pipeline
