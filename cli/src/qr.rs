//! QR codes drawn in the terminal with Unicode half blocks.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

/// `data` as a QR code, two modules per character cell, light modules drawn as blocks so the
/// code reads right on the usual dark terminal background. `None` if the data does not fit.
pub fn render(data: &str) -> Option<Zeroizing<String>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    let mut text = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    text.push('\n');
    Some(Zeroizing::new(text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_otpauth_uri() {
        let qr = super::render("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&issuer=x").unwrap();
        let lines: Vec<&str> = qr.lines().collect();
        assert!(lines.len() > 10);
        assert!(lines
            .iter()
            .all(|l| l.chars().count() == lines[0].chars().count()));
        assert!(qr.contains('█') || qr.contains('▀') || qr.contains('▄'));
    }
}
