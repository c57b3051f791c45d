#pragma once

// The daemon's one entry point. libukube-core.so exports the plugin-api surface and this
// function only: bin/ukube is a two-line main() around it, so the daemon needs no kernel
// internals exported.
extern "C" __attribute__((visibility("default"))) int ukube_main(int argc, char** argv);
