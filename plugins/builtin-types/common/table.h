#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/time.h"
#include "ukube/types.h"

// Building blocks for `kubectl get` columns. Column names are upstream's (kubectl
// upper-cases them); rows are computed at call time so AGE cells are fresh.
namespace ukube::builtin {

PrinterColumn column(std::string name, std::string type, std::string description, int priority = 0,
                     std::string json_path = {});
PrinterColumn name_column();
PrinterColumn age_column();
// "Created At" as roles and limit ranges show it: the creation time in RFC 3339.
PrinterColumn created_at_column();

// A row function that also receives the current time.
using RowBuilder =
    std::function<boost::json::array(const boost::json::object& object, Clock::time_point now)>;
TableRowFunc at_call_time(RowBuilder build);

// Sets columns Name + Age and the matching row, for types upstream prints that way.
void use_name_age_table(TypeInfo& type);
// Name + Created At (roles, cluster roles, limit ranges).
void use_name_created_at_table(TypeInfo& type);

std::string name_of(const boost::json::object& object);
std::string or_none(std::string s);  // "<none>" for ""
std::string join(const std::vector<std::string>& parts, std::string_view sep = ",");
std::string created_at(const boost::json::object& object);

// The CONTAINERS / IMAGES cells of a pod spec (wide output of workloads).
std::string container_names(const boost::json::object* pod_spec);
std::string container_images(const boost::json::object* pod_spec);

}  // namespace ukube::builtin
