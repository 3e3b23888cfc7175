# cmake/install.cmake — `cmake --install` rules and the Debian package
# (CPack, DEB generator). Included by the top CMakeLists.txt.
#
#   cmake --install build --prefix /usr/local     binary, man page, completion, docs
#   (cd build && cpack -G DEB)                    build/tcplens_VERSION_ARCH.deb
#   apt install ./build/tcplens_*.deb
#
# Dependencies: dpkg-shlibdeps computes them from what the binary links
# (libpcap0.8, libjansson4, libncurses6, libtinfo6, libnetfilter-queue1,
# libc6) when it is installed (dpkg-dev); else the list below is declared.
# libcurl4 is recommended: --clickhouse loads it (report/curl_lazy.h).
include(GNUInstallDirs)

install(TARGETS tcplens RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The page compressed as Debian policy wants it (gzip -n: reproducible).
find_program(GZIP_PROG gzip)
if(GZIP_PROG)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/tcplens.1.gz
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
                     COMMAND ${GZIP_PROG} -9nc ${CMAKE_SOURCE_DIR}/man/tcplens.1 > ${CMAKE_BINARY_DIR}/man/tcplens.1.gz
                     DEPENDS ${CMAKE_SOURCE_DIR}/man/tcplens.1 VERBATIM)
  add_custom_target(tcplens_man ALL DEPENDS ${CMAKE_BINARY_DIR}/man/tcplens.1.gz)
  install(FILES ${CMAKE_BINARY_DIR}/man/tcplens.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  install(FILES ${CMAKE_SOURCE_DIR}/man/tcplens.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/completion/tcplens.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tcplens)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/ARCHITECTURE.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME tcplens)
set(CPACK_PACKAGE_VENDOR "tcplens")
set(CPACK_PACKAGE_CONTACT "tcplens maintainers <tcplens@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "TCP capture analyzer: checksum offload vs corruption, stalls and their cause")
set(CPACK_PACKAGE_DESCRIPTION
    "tcplens reads a packet capture (pcap, pcapng or live: AF_PACKET, libpcap,
NFQUEUE) and tells what is wrong with its TCP connections, with the
evidence and the fix: corrupt checksums versus checksum-offload artifacts,
giant TSO/GRO segments, stalls with their cause (delayed ACK + Nagle,
TCP_CORK, RTO, zero window), retransmissions, SACK holes, capture loss, the
congestion window, SYN retries. Text, JSON and JSONL reports, an ncurses
TUI, regression replay against saved reports, Prometheus metrics.")
set(CPACK_PACKAGE_FILE_NAME "tcplens_${PROJECT_VERSION}")  # arch appended below
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                   # tcplens_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/tcplens")
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libpcap0.8 (>= 1.5.1), libjansson4 (>= 2.14), libncurses6 (>= 6), libtinfo6 (>= 6), libnetfilter-queue1 (>= 1.0.2)")
endif()
# libcurl4: loaded by --clickhouse only (report/curl_lazy.h), so not a
# library dpkg-shlibdeps sees.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcurl4 (>= 7.62), bash-completion, man-db")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libcap2-bin, tcpdump, tshark, prometheus-node-exporter")
include(CPack)
