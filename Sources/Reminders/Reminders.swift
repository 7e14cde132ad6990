@main
struct Reminders {
    static func main() {}
}
