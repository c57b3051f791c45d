// batch/v1 Job: run pods to completion. The server generates the selector (and the
// matching template labels) from the job's uid unless manualSelector is set.
#include <map>
#include <string>

#include <boost/json.hpp>

#include "apps/workloads.h"
#include "batch/jobs.h"
#include "common/field_errors.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "podspec/validation.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {
namespace {

constexpr int64_t kMaxInt32 = 2147483647;

bool has_condition(const json::object& job, std::string_view type) {
  bool found = false;
  for_each_object(array_at(job, {"status", "conditions"}), [&](const json::object& c, size_t) {
    if (string_at(c, {"type"}) == type && string_at(c, {"status"}) == "True") found = true;
  });
  return found;
}

std::string job_status(const json::object& job) {
  if (has_condition(job, "Complete")) return "Complete";
  if (has_condition(job, "Failed")) return "Failed";
  if (!string_at(job, {"metadata", "deletionTimestamp"}).empty()) return "Terminating";
  if (has_condition(job, "Suspended")) return "Suspended";
  if (has_condition(job, "FailureTarget")) return "FailureTarget";
  if (has_condition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

std::string completions_cell(const json::object& job) {
  int64_t succeeded = int_or(job, {"status", "succeeded"}, 0);
  if (auto completions = int_at(job, {"spec", "completions"}))
    return std::to_string(succeeded) + "/" + std::to_string(*completions);
  int64_t parallelism = int_or(job, {"spec", "parallelism"}, 0);
  if (parallelism > 1) return std::to_string(succeeded) + "/1 of " + std::to_string(parallelism);
  return std::to_string(succeeded) + "/1";
}

std::string duration_cell(const json::object& job, Clock::time_point now) {
  auto start = parse_time(string_at(job, {"status", "startTime"}));
  if (!start) return "";
  auto end = parse_time(string_at(job, {"status", "completionTime"}));
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(end.value_or(now) - *start));
}

void default_job(json::object& job) {
  auto& spec = child(job, "spec");
  if (!is_set(spec, "completions") && !is_set(spec, "parallelism")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  set_default(spec, "parallelism", 1);
  set_default(spec, "backoffLimit", is_set(spec, "backoffLimitPerIndex") ? kMaxInt32 : 6);
  set_default(spec, "completionMode", "NonIndexed");
  set_default(spec, "suspend", false);
  set_default(spec, "podReplacementPolicy",
              is_set(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  auto& tmpl = child(spec, "template");
  // As upstream's generateSelector, on create only (an object to be created has no
  // resourceVersion yet): unless manualSelector is set, the template gets the job-name and
  // controller-uid labels it lacks, and the selector the controller-uid, which ties the job
  // to its own pods alone. Labels the user set are kept; validation then refuses them when
  // they contradict the generated ones.
  std::string uid = string_at(job, {"metadata", "uid"});
  const bool creating = string_at(job, {"metadata", "resourceVersion"}).empty();
  if (creating && !bool_at(spec, {"manualSelector"}).value_or(false) && !uid.empty()) {
    std::string name = string_at(job, {"metadata", "name"});
    auto& labels = child(child(tmpl, "metadata"), "labels");
    for (const char* key : {"job-name", "batch.kubernetes.io/job-name"})
      if (!labels.contains(key)) labels[key] = name;
    for (const char* key : {"controller-uid", "batch.kubernetes.io/controller-uid"})
      if (!labels.contains(key)) labels[key] = uid;
    auto& match_labels = child(child(spec, "selector"), "matchLabels");
    if (!match_labels.contains("batch.kubernetes.io/controller-uid"))
      match_labels["batch.kubernetes.io/controller-uid"] = uid;
  }
  default_pod_template(tmpl);
}

// Upstream's ValidateGeneratedSelector, on create: unless manualSelector is set, the
// template carries the labels defaulting generated and the selector selects them, so the
// job's pods can be no other controller's.
void validate_generated_selector(Errors& e, const json::object& job) {
  if (bool_at(job, {"spec", "manualSelector"}).value_or(false)) return;
  const std::string uid = string_at(job, {"metadata", "uid"});
  if (uid.empty()) return;
  const std::string name = string_at(job, {"metadata", "name"});
  const FieldPath labels_path = FieldPath("spec").child("template").child("metadata").child("labels");
  const std::map<std::string, std::string> expected{{"controller-uid", uid},
                                                    {"job-name", name},
                                                    {"batch.kubernetes.io/controller-uid", uid},
                                                    {"batch.kubernetes.io/job-name", name}};
  for (const auto& [key, want] : expected) {
    const auto* have = value_at(job, {"spec", "template", "metadata", "labels", key});
    if (!have)
      e.required(labels_path.key(key), key);
    else if (!have->is_string() || have->get_string() != want)
      e.invalid(labels_path.key(key),
                have->is_string() ? std::string(have->get_string()) : json::serialize(*have),
                "must be '" + want + "'");
  }
  const auto* selector = object_at(job, {"spec", "selector"});
  if (!selector) return;
  auto parsed = machinery::selector_from_json(*selector);
  json::object expected_labels;
  for (const auto& [key, value] : expected) expected_labels[key] = value;
  if (parsed && !machinery::matches(*parsed, &expected_labels))
    e.invalid(FieldPath("spec").child("selector"), json::serialize(*selector),
              "`selector` not auto-generated");
}

}  // namespace

void validate_job_spec(Errors& e, const FieldPath& p, const json::object* spec, bool in_template) {
  const json::object empty;
  if (!spec) spec = &empty;
  for (const char* f : {"parallelism", "completions", "backoffLimit", "backoffLimitPerIndex",
                        "maxFailedIndexes", "ttlSecondsAfterFinished"})
    check_non_negative(e, p, *spec, f);
  if (auto ads = int_at(*spec, {"activeDeadlineSeconds"}); ads && *ads <= 0)
    e.invalid_int(p.child("activeDeadlineSeconds"), *ads, "must be greater than 0");
  std::string mode = string_at(*spec, {"completionMode"});
  if (!mode.empty() && mode != "NonIndexed" && mode != "Indexed")
    e.unsupported(p.child("completionMode"), mode, {"NonIndexed", "Indexed"});
  if (mode == "Indexed" && !is_set(*spec, "completions"))
    e.required(p.child("completions"), "when completion mode is Indexed");
  std::string replacement = string_at(*spec, {"podReplacementPolicy"});
  if (!replacement.empty() && replacement != "TerminatingOrFailed" && replacement != "Failed")
    e.unsupported(p.child("podReplacementPolicy"), replacement, {"Failed", "TerminatingOrFailed"});

  const auto* selector = object_at(*spec, {"selector"});
  if (selector)
    validate_label_selector(e, p.child("selector"), *selector);
  else if (!in_template)
    e.required(p.child("selector"), "");
  TemplateRules rules;
  rules.selector = selector;
  rules.restart_policies = {"OnFailure", "Never"};
  validate_pod_template(e, p.child("template"), object_at(*spec, {"template"}), rules);
}

TypeInfo jobs_type() {
  TypeInfo t = make_type("batch", "v1", "Job", "jobs", true, {}, {"all"});
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Status", "string", "Overall state of the job."),
      column("Completions", "string", "Succeeded pods out of the desired completions."),
      column("Duration", "string", "How long the job ran, or has been running."),
      age_column(),
  };
  for (auto& c : containers_images_selector_columns()) t.printer_columns.push_back(std::move(c));
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o),
                       job_status(o),
                       completions_cell(o),
                       duration_cell(o, now),
                       age_cell(o, now),
                       template_containers(o, {"spec", "template"}),
                       template_images(o, {"spec", "template"}),
                       selector_cell(o)};
  });
  t.selectable_fields.push_back({"status.successful", [](const json::object& o) {
                                   return std::to_string(int_or(o, {"status", "succeeded"}, 0));
                                 }});
  t.defaulters.push_back(default_job);
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    validate_job_spec(e, FieldPath("spec"), object_at(o, {"spec"}), false);
    if (!old) {
      validate_generated_selector(e, o);
      return;
    }
    check_selector_immutable(e, o, old);
    for (const char* f : {"completionMode", "podFailurePolicy", "backoffLimitPerIndex"}) {
      const auto* a = value_at(o, {"spec", f});
      const auto* b = value_at(*old, {"spec", f});
      if ((a == nullptr) != (b == nullptr) || (a && *a != *b))
        e.invalid(FieldPath("spec").child(f), a ? value_repr(*a) : "null", "field is immutable");
    }
    // Indexed jobs may scale completions together with parallelism; others may not.
    const auto* a = value_at(o, {"spec", "completions"});
    const auto* b = value_at(*old, {"spec", "completions"});
    bool changed = (a == nullptr) != (b == nullptr) || (a && *a != *b);
    if (changed && string_at(o, {"spec", "completionMode"}) != "Indexed")
      e.invalid(FieldPath("spec.completions"), a ? value_repr(*a) : "null", "field is immutable");
    // The template is fixed, except while the job is suspended (upstream allows a few
    // scheduling fields then; we allow the template as a whole).
    const auto* ta = value_at(o, {"spec", "template"});
    const auto* tb = value_at(*old, {"spec", "template"});
    bool template_changed = (ta == nullptr) != (tb == nullptr) || (ta && *ta != *tb);
    if (template_changed && !bool_at(*old, {"spec", "suspend"}).value_or(false))
      e.invalid(FieldPath("spec.template"), ta ? json::serialize(*ta) : "null", "field is immutable");
  });

  using namespace schema;
  Schema status = object({
      {"conditions",
       atomic_merge_list(condition({{"lastProbeTime", date_time(), 3}}, kCoreCondition), "type",
                         "Observations of the job's state."),
       1},
      {"startTime", date_time(), 2, kPointer},
      {"completionTime", date_time(), 3, kPointer},
      {"active", integer(), 4},
      {"succeeded", integer(), 5},
      {"failed", integer(), 6},
      {"terminating", integer(), 11, kPointer},
      {"completedIndexes", string(), 7},
      {"failedIndexes", string(), 10, kPointer},
      {"uncountedTerminatedPods",
       object({{"succeeded", set_list(string()), 1}, {"failed", set_list(string()), 2}}), 8, kPointer},
      {"ready", integer(), 9, kPointer},
  });
  t.schema = share(resource("batch", "v1", "Job", "Runs pods until a number of them succeed.",
                            {{"spec", job_spec_schema(), 2}, {"status", status, 3}}));
  return t;
}

schema::Schema job_spec_schema() {
  using namespace schema;
  Schema exit_codes = object({
      {"containerName", string("Container whose exit code counts; any when empty."), 1, kPointer},
      {"operator", string("In or NotIn."), 2, kAlways},
      {"values", set_list(integer(), "Exit codes."), 3, kAlways},
  });
  Schema pod_condition = object({{"type", string(), 1, kAlways}, {"status", string(), 2, kAlways}});
  Schema failure_rule = object({
      {"action", string("FailJob, FailIndex, Ignore or Count."), 1, kAlways},
      {"onExitCodes", std::move(exit_codes), 2, kPointer},
      {"onPodConditions", atomic_list(std::move(pod_condition)), 3},
  });
  Schema success_rule = object({
      {"succeededIndexes", string("Indexes that must succeed, e.g. 1,3-5."), 1, kPointer},
      {"succeededCount", integer("How many of them must succeed."), 2, kPointer},
  });
  return object({
      {"parallelism", integer("Pods that may run at once."), 1, kPointer},
      {"completions", integer("Successful pods needed."), 2, kPointer},
      {"activeDeadlineSeconds", int64("Seconds the job may run before it is failed."), 3, kPointer},
      {"podFailurePolicy",
       object({{"rules", atomic_list(std::move(failure_rule)), 1, kAlways}},
              "How pod failures count against the backoff limit."),
       11, kPointer},
      {"successPolicy",
       object({{"rules", atomic_list(std::move(success_rule)), 1, kAlways}},
              "When an indexed job counts as succeeded."),
       16, kPointer},
      {"backoffLimit", integer("Retries before the job is failed."), 7, kPointer},
      {"backoffLimitPerIndex", integer(), 12, kPointer},
      {"maxFailedIndexes", integer(), 13, kPointer},
      {"selector", label_selector(), 4, kPointer},
      {"manualSelector", boolean("Use spec.selector as given instead of generating one."), 5, kPointer},
      {"template", pod_template_spec(), 6},
      {"ttlSecondsAfterFinished", integer("Seconds after which a finished job is deleted."), 8, kPointer},
      {"completionMode", string("NonIndexed or Indexed."), 9, kPointer},
      {"suspend", boolean("Stops creating pods while true."), 10, kPointer},
      {"podReplacementPolicy", string(), 14, kPointer},
      {"managedBy", string(), 15, kPointer},
  });
}

}  // namespace ukube::builtin
