#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "common/field_errors.h"
#include "common/time.h"
#include "schema/builder.h"
#include "ukube/types.h"

// What the controllers that own pods through a selector and a pod template share:
// selector rules, template rules, replica counts and their table cells and schemas.
namespace ukube::builtin {

// spec.selector (a LabelSelector): required, non-empty, valid; spec.template valid, its
// labels matched, with a restart policy from `restart_policies`.
void validate_selector_and_template(Errors& e, const boost::json::object& object,
                                    const std::string& kind_lower, std::vector<std::string> restart_policies,
                                    bool forbid_active_deadline);
// spec.selector must not change (apps/v1 and batch/v1 selectors are immutable).
void check_selector_immutable(Errors& e, const boost::json::object& object, const boost::json::object* old);

// Defaults and validation of spec.replicas.
void default_replicas(boost::json::object& spec);
void check_replicas(Errors& e, const boost::json::object& object);

// The SELECTOR, CONTAINERS and IMAGES cells of wide output.
std::string template_containers(const boost::json::object& object,
                                std::initializer_list<std::string_view> tmpl);
std::string template_images(const boost::json::object& object, std::initializer_list<std::string_view> tmpl);
std::string selector_cell(const boost::json::object& object);

std::vector<PrinterColumn> containers_images_selector_columns(bool with_selector = true);

// ScaleSpec for types with spec.replicas, status.replicas and spec.selector.
ScaleSpec replicas_scale();

// status.conditions of apps/v1 controllers (with lastUpdateTime for deployments).
schema::Schema workload_conditions(bool with_update_time);

}  // namespace ukube::builtin

namespace ukube::builtin {

// IntOrString "N" or "N%" counts (maxSurge, maxUnavailable): non-negative, percent ≤ 100.
// Returns the value as a plain number (percent or count) when valid, -1 otherwise.
int64_t check_int_or_percent(Errors& e, const FieldPath& p, const boost::json::value* v);

}  // namespace ukube::builtin
