// swift-tools-version: 6.0
//
// One repository, four libraries and one app. Dependencies run one way:
// HLMData <- HLMFormula <- HLMEstimation <- HLMReport <- hlm.
import PackageDescription

let package = Package(
    name: "hlm",
    products: [
        .library(name: "HLMData", targets: ["HLMData"]),
        .library(name: "HLMFormula", targets: ["HLMFormula"]),
        .library(name: "HLMEstimation", targets: ["HLMEstimation"]),
        .library(name: "HLMReport", targets: ["HLMReport"]),
        .executable(name: "hlm", targets: ["hlm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: each a module whose shim header declares only what we call.
        .systemLibrary(
            name: "_CLibXML2", path: "Packages/HLMData/Sources/_CLibXML2",
            pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "_COpenBLAS", path: "Packages/HLMEstimation/Sources/_COpenBLAS",
            pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "_CNLopt", path: "Packages/HLMEstimation/Sources/_CNLopt",
            pkgConfig: "nlopt", providers: [.apt(["libnlopt-dev"])]),
        // SuiteSparse ships no pkg-config file; its headers are under <suitesparse/>.
        .systemLibrary(
            name: "_CCHOLMOD", path: "Packages/HLMEstimation/Sources/_CCHOLMOD",
            providers: [.apt(["libsuitesparse-dev"])]),

        // Helpers the libraries share and do not offer (threads, name suggestions, quoting): not a product.
        .target(name: "_HLMSupport", path: "Packages/HLMSupport/Sources/_HLMSupport"),

        // The four libraries; each target declares every module it imports.
        .target(name: "HLMData", dependencies: ["_CLibXML2", "_HLMSupport"], path: "Packages/HLMData/Sources/HLMData"),
        .target(name: "HLMFormula", dependencies: ["HLMData", "_HLMSupport"], path: "Packages/HLMFormula/Sources/HLMFormula"),
        .target(
            name: "HLMEstimation", dependencies: ["HLMData", "HLMFormula", "_HLMSupport", "_COpenBLAS", "_CNLopt", "_CCHOLMOD"],
            path: "Packages/HLMEstimation/Sources/HLMEstimation"),
        .target(
            name: "HLMReport", dependencies: ["HLMData", "HLMFormula", "HLMEstimation"],
            path: "Packages/HLMReport/Sources/HLMReport"),

        // The command line: composes the libraries, holds no statistics.
        .executableTarget(
            name: "hlm",
            dependencies: ["HLMData", "HLMFormula", "HLMEstimation", "HLMReport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Apps/hlm"),

        // Maintainers' benchmark drivers (Tools/README.md): not API.
        .executableTarget(name: "hlm-bench-csv", dependencies: ["HLMData"], path: "Tools/CSVBench"),

        // Tests mirror the packages; HLMTestSupport holds fixtures and tolerance-aware comparisons.
        .target(name: "HLMTestSupport", dependencies: ["HLMData"], path: "Tests/HLMTestSupport"),
        .testTarget(
            name: "HLMDataTests", dependencies: ["HLMData", "HLMTestSupport"], path: "Tests/HLMDataTests",
            exclude: ["FuzzRegressions"]),
        .testTarget(
            name: "HLMFormulaTests", dependencies: ["HLMFormula", "HLMTestSupport"], path: "Tests/HLMFormulaTests"),
        .testTarget(
            name: "HLMEstimationTests", dependencies: ["HLMEstimation", "HLMTestSupport"],
            path: "Tests/HLMEstimationTests", exclude: ["FuzzRegressions"]),
        .testTarget(
            name: "HLMReportTests", dependencies: ["HLMReport", "HLMTestSupport"], path: "Tests/HLMReportTests",
            exclude: ["Snapshots"]),
        // The command line, run as a process: exit statuses, messages, --output.
        .testTarget(name: "hlmTests", dependencies: ["hlm", "HLMTestSupport"], path: "Tests/hlmTests"),
    ]
)
