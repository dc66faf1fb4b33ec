//! Guards the push body the server takes from every phone: `PushRequest` deserialisation from
//! arbitrary bytes, then the protocol's validation of each op as `prepare` in server/src/http/sync.rs
//! runs it (`NewReport`, `NewComment`, `NewRating`, `NewComplaint` and `FlagComment` have
//! `validate()`; `WithdrawReport` has none). Neither may panic, whatever the texts, numbers and
//! locations hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_protocol::{FieldError, OpBody, PushRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<PushRequest>(data) else { return };
    for op in &req.ops {
        let _ = op.op.kind();
        let checked: Result<(), FieldError> = match &op.op {
            OpBody::CreateReport(r) => r.validate(),
            OpBody::Comment(c) => c.validate(),
            OpBody::Rate(r) => r.validate(),
            OpBody::Complain(c) => c.validate(),
            OpBody::FlagComment(f) => f.validate(),
            OpBody::WithdrawReport(_) => Ok(()),
        };
        if let Err(e) = checked {
            // The server sends this text back as the rejection reason.
            assert!(!e.field.is_empty());
            let _ = e.to_string();
        }
    }
    // What was accepted serialises again (the server echoes ops into its outbox and logs).
    serde_json::to_vec(&req).expect("a parsed push serialises");
});
