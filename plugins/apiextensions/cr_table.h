#pragma once

#include <boost/json/fwd.hpp>

#include "ukube/types.h"

// `kubectl get` columns of a custom resource version: Name, then its
// additionalPrinterColumns (Age when it lists none), each cell read with the column's
// JSONPath and typed as upstream's table convertor types it.
namespace ukube::apiextensions {

void set_printer_columns(TypeInfo& type, const boost::json::object& version);

}  // namespace ukube::apiextensions
