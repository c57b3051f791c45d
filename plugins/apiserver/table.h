#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/pipeline.h"
#include "ukube/types.h"

// meta.k8s.io/v1 Table rendering for `kubectl get`: columns from the type's printer
// columns (NAME and AGE when it has none), cells from its table_row function or from each
// column's JSON path.
namespace ukube::apiserver {

enum class IncludeObject { None, Metadata, Object };

// includeObject=None|Metadata|Object; throws ApiError 400 on anything else.
IncludeObject parse_include_object(const std::string& value);

// Upstream's rendering of an age: "45s", "3m20s", "5h", "2d3h", "1y30d" ...
std::string human_duration(std::chrono::seconds age);

// RFC 3339 ("2024-05-01T10:00:00Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);

// Follows a simple JSONPath (".status.phase", "{.spec.ports[0].port}"); null when
// absent or when the path uses features beyond fields and indexes.
const boost::json::value* evaluate_path(const boost::json::object& object, std::string_view path);

// {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{..}} for a stored
// object. Throws ApiError 500 when `object` is not JSON.
std::string partial_object_metadata(const store::Bytes& object);

// metadata.resourceVersion of a stored object ("" when absent).
std::string resource_version_of(const store::Bytes& object);

class TableBuilder {
 public:
  TableBuilder(const TypeInfo& type, IncludeObject include, std::chrono::system_clock::time_point now);

  // The columnDefinitions array.
  std::string columns_json() const;
  // One {"cells":[...],"object":...} row. Throws ApiError 500 when `object` is not JSON.
  std::string row_json(const store::Bytes& object) const;
  // A whole Table; `metadata_json` is the list metadata object.
  std::string table_json(const std::vector<store::Bytes>& objects, const std::string& metadata_json,
                         bool with_columns = true) const;

 private:
  boost::json::array cells(const boost::json::object& object) const;

  const TypeInfo& type_;
  IncludeObject include_;
  std::chrono::system_clock::time_point now_;
  std::vector<PrinterColumn> columns_;
  bool generic_ = false;  // cells come from column paths, not type_.table_row
};

}  // namespace ukube::apiserver
