// swift-tools-version: 6.0
// A package that uses hlm's HLMData library alone: proof that it is importable on its own
// (CI builds it: make consumers). It depends on the repository's root package by path.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "DataOnly",
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "DataOnly",
            dependencies: [.product(name: "HLMData", package: root.lastPathComponent)]),
    ]
)
