# Writes a C++ source that holds every migrations/NNNN_name.sql as a string literal, so the
# schema ships inside the binary. Run at build time with -DSOURCE_DIR=... -DOUTPUT=...
# -DNAMESPACE=donut::sqlite -DHEADER=adapters/sqlite/migrations.h
file(GLOB scripts "${SOURCE_DIR}/*.sql")
list(SORT scripts)
set(body "")
set(version 0)
foreach(script IN LISTS scripts)
  math(EXPR version "${version} + 1")
  get_filename_component(name "${script}" NAME)
  # The number in the name is the version a database records: a gap or a repeat would make two
  # builds disagree about what a version means, so it stops the build.
  if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_[a-z0-9_]+\\.sql$")
    message(FATAL_ERROR "${script}: migrations are named NNNN_lowercase_words.sql")
  endif()
  math(EXPR numbered "${CMAKE_MATCH_1}")
  if(NOT numbered EQUAL version)
    message(FATAL_ERROR "${script}: expected migration number ${version}; numbers run 0001, 0002, ... without gaps")
  endif()
  file(READ "${script}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"donutsql(${sql})donutsql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${SOURCE_DIR} by cmake/embed_migrations.cmake. Do not edit.\n"
"#include \"${HEADER}\"\n\n"
"namespace ${NAMESPACE} {\n"
"namespace {\n"
"constexpr Migration kMigrations[] = {\n${body}};\n"
"}  // namespace\n\n"
"std::span<const Migration> migrations() { return kMigrations; }\n\n"
"}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
