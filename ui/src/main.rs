fn main() {
    qala_ui::start();
}
