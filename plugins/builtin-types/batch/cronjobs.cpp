// batch/v1 CronJob: creates Jobs on a cron schedule.
#include <filesystem>

#include <boost/json.hpp>

#include "apps/workloads.h"
#include "batch/cron.h"
#include "batch/jobs.h"
#include "common/field_errors.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

// Job names get an 11-character suffix, and a job name must stay a 63-character label.
constexpr size_t kMaxCronJobName = 52;

bool known_time_zone(const std::string& tz) {
  if (tz.empty() || tz.front() == '/' || tz.find("..") != std::string::npos) return false;
  if (tz == "UTC" || tz == "Local") return true;
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / tz, ec);
}

void validate_cronjob(const json::object& o, const json::object*, std::vector<FieldError>& out) {
  Errors e(out);
  std::string name = string_at(o, {"metadata", "name"});
  if (name.size() > kMaxCronJobName)
    e.invalid(FieldPath("metadata.name"), quote(name), "must be no more than 52 characters");
  const json::object empty;
  const auto* spec = object_at(o, {"spec"}) ? object_at(o, {"spec"}) : &empty;
  FieldPath sp("spec");
  std::string schedule = string_at(*spec, {"schedule"});
  if (schedule.empty()) {
    e.required(sp.child("schedule"), "");
  } else if (schedule.find("TZ=") != std::string::npos) {
    e.invalid(sp.child("schedule"), quote(schedule),
              "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  } else if (auto err = cron_schedule_error(schedule)) {
    e.invalid(sp.child("schedule"), quote(schedule), *err);
  }
  if (const auto* tz = value_at(*spec, {"timeZone"}); tz && tz->is_string()) {
    std::string zone(as_string(*tz));
    if (!known_time_zone(zone)) e.invalid(sp.child("timeZone"), quote(zone), "unknown time zone " + zone);
  }
  std::string policy = string_at(*spec, {"concurrencyPolicy"});
  if (policy != "Allow" && policy != "Forbid" && policy != "Replace")
    e.unsupported(sp.child("concurrencyPolicy"), policy, {"Allow", "Forbid", "Replace"});
  for (const char* f : {"startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"})
    check_non_negative(e, sp, *spec, f);
  validate_job_spec(e, sp.child("jobTemplate").child("spec"), object_at(*spec, {"jobTemplate", "spec"}),
                    true);
}

}  // namespace

TypeInfo cronjobs_type() {
  TypeInfo t = make_type("batch", "v1", "CronJob", "cronjobs", true, {"cj"}, {"all"});
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Schedule", "string", "Cron schedule of the jobs.", 0, ".spec.schedule"),
      column("Timezone", "string", "Time zone the schedule is read in.", 0, ".spec.timeZone"),
      column("Suspend", "boolean", "Whether new jobs are held back.", 0, ".spec.suspend"),
      column("Active", "integer", "Jobs running now."),
      column("Last Schedule", "string", "How long ago a job was last scheduled."),
      age_column(),
  };
  for (auto& c : containers_images_selector_columns()) t.printer_columns.push_back(std::move(c));
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    auto suspend = bool_at(o, {"spec", "suspend"});
    const auto* active = array_at(o, {"status", "active"});
    std::string last = string_at(o, {"status", "lastScheduleTime"});
    return json::array{name_of(o),
                       string_at(o, {"spec", "schedule"}),
                       or_none(string_at(o, {"spec", "timeZone"})),
                       suspend ? (*suspend ? "True" : "False") : "<unset>",
                       active ? active->size() : 0,
                       last.empty() ? "<none>" : age_since(last, now),
                       age_cell(o, now),
                       template_containers(o, {"spec", "jobTemplate", "spec", "template"}),
                       template_images(o, {"spec", "jobTemplate", "spec", "template"}),
                       selector_string(object_at(o, {"spec", "jobTemplate", "spec", "selector"}))};
  });
  t.defaulters.push_back([](json::object& o) {
    auto& spec = child(o, "spec");
    set_default(spec, "concurrencyPolicy", "Allow");
    set_default(spec, "suspend", false);
    set_default(spec, "successfulJobsHistoryLimit", 3);
    set_default(spec, "failedJobsHistoryLimit", 1);
    default_pod_template(child(child(child(spec, "jobTemplate"), "spec"), "template"));
  });
  t.validators.push_back(validate_cronjob);

  using namespace schema;
  Schema spec = object({
      {"schedule", string("Cron schedule, e.g. \"*/5 * * * *\"."), 1, kAlways},
      {"timeZone", string("IANA time zone the schedule is read in; the server's zone when unset."), 8,
       kPointer},
      {"startingDeadlineSeconds", int64("Seconds after a missed time a job may still start."), 2, kPointer},
      {"concurrencyPolicy", string("Allow, Forbid or Replace."), 3},
      {"suspend", boolean("Holds back new jobs while true."), 4, kPointer},
      {"jobTemplate",
       object({{"metadata", object_meta(), 1}, {"spec", job_spec_schema(), 2}}, "The jobs to create."), 5},
      {"successfulJobsHistoryLimit", integer(), 6, kPointer},
      {"failedJobsHistoryLimit", integer(), 7, kPointer},
  });
  Schema status = object({{"active", atomic_list(object_reference(), "Jobs running now."), 1},
                          {"lastScheduleTime", date_time(), 4, kPointer},
                          {"lastSuccessfulTime", date_time(), 5, kPointer}});
  t.schema = share(resource("batch", "v1", "CronJob", "Runs jobs on a schedule.",
                            {{"spec", spec, 2}, {"status", status, 3}}));
  return t;
}

}  // namespace ukube::builtin
