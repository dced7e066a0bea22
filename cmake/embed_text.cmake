# Writes INPUT into OUTPUT as a C++ string constant, nodenet::schema::embedded_schema_text().
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUTPUT}
"#include <string_view>\n"
"namespace nodenet::schema {\n"
"namespace { constexpr char kText[] = {${bytes} 0}; }\n"
"std::string_view embedded_schema_text() { return {kText, sizeof kText - 1}; }\n"
"}  // namespace nodenet::schema\n")
