import XCTest
import DocspaceAuth

final class LibraryTests: XCTestCase {
    func testLibraryVersionIsTheCrateVersion() {
        XCTAssertFalse(libraryVersion().isEmpty)
        XCTAssertNotNil(libraryVersion().range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression))
    }
}
