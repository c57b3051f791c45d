#include "common/field_errors.h"

#include <boost/json.hpp>

#include "common/json.h"

namespace ukube::builtin {

void check_non_negative(Errors& e, const FieldPath& p, const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return;
  auto n = as_int(*v);
  if (!n) {
    e.invalid_value(p.child(key), *v, "must be an integer");
  } else if (*n < 0) {
    e.invalid_int(p.child(key), *n, "must be greater than or equal to 0");
  }
}

void check_port_number(Errors& e, const FieldPath& p, int64_t port) {
  if (port < 1 || port > 65535) e.invalid_int(p, port, "must be between 1 and 65535, inclusive");
}

}  // namespace ukube::builtin
