// The library's registrar: identity and factory only; the plugin lives in webhook_plugin.cpp.
#include "ukube/plugin.h"
#include "webhook_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.admission.v1", "webhook", ukube::webhook::WebhookPlugin, nullptr, "ukube.types.v1")
