# Finds marketlearn's two C++ dependencies; shared by the build and the installed config.
#
# Debian's xsimd 8.1 package exports a link dependency on "xtl" although xsimd's headers
# need xtl only with XSIMD_ENABLE_XTL_COMPLEX, and libxsimd-dev does not pull libxtl-dev
# in: the linker would look for a libxtl that does not exist. An empty imported target
# named xtl satisfies the reference when no real xtl package is installed.
include(CMakeFindDependencyMacro)
find_dependency(Eigen3 3.3 CONFIG)
find_dependency(xsimd 8 CONFIG)
if(TARGET xsimd AND NOT TARGET xtl)
    get_target_property(_marketlearn_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
    if(_marketlearn_xsimd_links MATCHES "(^|;)xtl(;|$)")
        find_package(xtl CONFIG QUIET)
        if(NOT TARGET xtl)
            add_library(xtl INTERFACE IMPORTED GLOBAL)
        endif()
    endif()
endif()
