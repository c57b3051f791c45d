// coordination.k8s.io/v1 Lease: leader election and node heartbeats.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {

TypeInfo leases_type() {
  TypeInfo t = make_type("coordination.k8s.io", "v1", "Lease", "leases", true);
  t.printer_columns = {name_column(),
                       column("Holder", "string", "Current holder of the lease.", 0, ".spec.holderIdentity"),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), string_at(o, {"spec", "holderIdentity"}), age_cell(o, now)};
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    const auto* spec = object_at(o, {"spec"});
    if (!spec) return;
    FieldPath sp("spec");
    if (auto d = int_at(*spec, {"leaseDurationSeconds"}); d && *d <= 0)
      e.invalid_int(sp.child("leaseDurationSeconds"), *d, "must be greater than 0");
    check_non_negative(e, sp, *spec, "leaseTransitions");
  });
  using namespace schema;
  t.schema = share(resource(
      "coordination.k8s.io", "v1", "Lease", "A lease on a named resource.",
      {{"spec",
        object(
            {{"holderIdentity", string("Who holds the lease."), 1, kPointer},
             {"leaseDurationSeconds", integer("How long the holder may go without renewing."), 2, kPointer},
             {"acquireTime", micro_time(), 3, kPointer},
             {"renewTime", micro_time(), 4, kPointer},
             {"leaseTransitions", integer("How many times the holder changed."), 5, kPointer},
             {"strategy", string(), 6, kPointer},
             {"preferredHolder", string(), 7, kPointer}}),
        2}}));
  return t;
}

}  // namespace ukube::builtin
