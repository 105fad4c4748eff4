#pragma once
/// \file
/// Library version (kept equal to project(VERSION) in CMakeLists.txt and pyproject.toml).

#define MARKETLEARN_VERSION_MAJOR 0
#define MARKETLEARN_VERSION_MINOR 1
#define MARKETLEARN_VERSION_PATCH 0
#define MARKETLEARN_VERSION_STRING "0.1.0"
