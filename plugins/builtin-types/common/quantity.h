#pragma once

#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/quantity.h"

namespace ukube::builtin {

using machinery::kQuantityPattern;
using machinery::Quantity;

// The quantity as written ("1Gi", "0.5"), for messages.
std::string quantity_text(const boost::json::value& v);

}  // namespace ukube::builtin
