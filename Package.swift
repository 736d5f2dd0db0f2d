// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Safehaven",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "safehaven", targets: ["safehaven"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "SafehavenCore",
            dependencies: [
                "SafehavenArchive",
                "SafehavenCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/common-passwords.txt")]
        ),
        .target(
            name: "SafehavenCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SafehavenArchive",
            dependencies: [
                "SafehavenCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(
            name: "SafehavenMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "SafehavenStorage",
            dependencies: [
                "SafehavenCore",
                "SafehavenCrypto",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ]
        ),
        .target(
            name: "SafehavenServer",
            dependencies: [
                "SafehavenCore",
                "SafehavenArchive",
                "SafehavenCrypto",
                "SafehavenStorage",
                "SafehavenMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/templates"), .copy("Resources/static")]
        ),
        .target(
            name: "SafehavenCLI",
            dependencies: [
                "SafehavenCore",
                "SafehavenArchive",
                "SafehavenStorage",
                "SafehavenServer",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "safehaven",
            dependencies: [
                "SafehavenCLI",
                "SafehavenCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "safehaven-fuzz",
            dependencies: ["SafehavenArchive", "SafehavenCore", "SafehavenServer", "SafehavenMail", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/SafehavenFuzz"
        ),
        .executableTarget(
            name: "safehaven-bench",
            dependencies: ["SafehavenCore", "SafehavenCrypto", "SafehavenStorage", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            path: "Sources/SafehavenBench"
        ),
        .target(
            name: "SafehavenTestSupport",
            dependencies: [
                "SafehavenCore", "SafehavenCrypto", "SafehavenStorage", "SafehavenServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SafehavenTestSupport"
        ),
        .testTarget(
            name: "SafehavenCoreTests",
            dependencies: ["SafehavenCore", "SafehavenTestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "SafehavenCryptoTests", dependencies: ["SafehavenCrypto", "SafehavenTestSupport"]),
        .testTarget(name: "SafehavenArchiveTests", dependencies: ["SafehavenArchive", "SafehavenTestSupport"]),
        .testTarget(name: "SafehavenMailTests", dependencies: ["SafehavenMail", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(
            name: "SafehavenStorageTests",
            dependencies: ["SafehavenStorage", "SafehavenServer", "SafehavenTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SafehavenServerTests",
            dependencies: [
                "SafehavenServer", "SafehavenCLI", "SafehavenCrypto", "SafehavenArchive", "SafehavenStorage", "SafehavenTestSupport", "SafehavenMail",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["__Snapshots__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every module names what it imports from each dependency.
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
