#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/field_errors.h"
#include "ukube/machinery/names.h"
#include "ukube/types.h"

// Upstream's field-error vocabulary (reason + "Required value" / "Invalid value: ..." text),
// so a 422 from ukube reads exactly like one from a real API server.
namespace ukube::builtin {

using machinery::Errors;
using machinery::FieldPath;
using machinery::go_strings;
using machinery::quote;
using machinery::value_repr;

// Common numeric rules with upstream's wording.
void check_non_negative(Errors& e, const FieldPath& p, const boost::json::object& o, std::string_view key);
void check_port_number(Errors& e, const FieldPath& p, int64_t port);  // 1..65535 inclusive

}  // namespace ukube::builtin
