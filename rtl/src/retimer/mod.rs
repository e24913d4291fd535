//! Retimer blocks (PCIe 5/6, CXL): PRBS generators and checkers, scramblers,
//! 128b/130b block alignment, elastic buffer, lane deskew, FFE/DFE with LMS
//! adaptation, clock-data recovery, PAM4 coding and the LTSSM tracker.
