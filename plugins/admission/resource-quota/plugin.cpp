// The library's registrar: identity and factory only.
#include "resource_quota.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("resource-quota", ukube::admission::ResourceQuotaPlugin)
