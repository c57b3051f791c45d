// A shared object in the plugin directory that is not a ukube plugin: the catalog must
// skip it without opening it.
extern "C" __attribute__((visibility("default"))) int ukube_test_not_a_plugin() {
  return 42;
}
