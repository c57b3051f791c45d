#pragma once

#include "ukube/plugin.h"

// One registrar per admission plugin library, differing only in id and class: each is of
// type ukube.admission.v1 and requires the built-in types (it reads them).
#define UKUBE_ADMISSION_PLUGIN(ID, CLASS) \
  UKUBE_DEFINE_PLUGIN("ukube.admission.v1", ID, CLASS, nullptr, "ukube.types.v1")
