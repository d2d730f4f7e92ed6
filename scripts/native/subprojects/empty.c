/* One translation unit for the dummy *_lib static libraries of the dependency stubs (see README.md). */
int call_widget_dependency_stub;
