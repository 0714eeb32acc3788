{
  "targets": [
    {
      "target_name": "hypha_tun",
      "sources": [
        "src/tun.c"
      ],
      "cflags": [
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-O2"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "_GNU_SOURCE"
      ]
    },
    {
      "target_name": "hypha_udp",
      "sources": [
        "src/udp.c"
      ],
      "cflags": [
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-O2"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "_GNU_SOURCE"
      ]
    },
    {
      "target_name": "hypha_aead",
      "sources": [
        "src/aead.c"
      ],
      "cflags": [
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-O2"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "_GNU_SOURCE"
      ]
    }
  ]
}
